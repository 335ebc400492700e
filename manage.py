#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings.dev")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
