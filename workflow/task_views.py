"""The page a flow task opens: the case itself, where the step's form lives."""

from django.shortcuts import redirect
from django.views import View


class CaseTaskView(View):
    """Send the person to the case page; its forms call the case services."""

    def dispatch(self, request, *args, **kwargs):
        task = kwargs.get("task") or getattr(request, "activation", None) and request.activation.task
        case = task.process.artifact if task else None
        if case is None:
            return redirect("/")
        return redirect(f"/cases/{case.code}/")
