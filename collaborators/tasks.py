from celery import shared_task

from .services.subjects import opinion_requests_remind


@shared_task(name="collaborators.requests_remind")
def requests_remind() -> int:
    """Collaborators who have not answered a request due within a day are reminded, once each (reminded_at)."""
    return opinion_requests_remind()
