from rest_framework.views import APIView


class MatchAPIView(APIView):
    """Not built yet (see the open issue); answers 501 until then."""

    def get(self, request):
        from rest_framework.response import Response

        return Response({"detail": "not implemented yet"}, status=501)
