from django.conf import settings


def site_context(request):
    return {"NEWSROOM_NAME": settings.FACTCHECK_NEWSROOM_NAME}
