"""What the questionnaire templates look up: an answer given and an error by question name."""

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def answer_of(given, name):
    """The answer given to `name` ("" when none), as the form sent it back."""
    return (given or {}).get(name, "")


@register.filter
def chosen(given, name_and_choice: str) -> bool:
    """Whether choice `c` was among the answers to `q`: `given|chosen:"q c"`."""
    name, _sep, choice = name_and_choice.partition(" ")
    value = (given or {}).get(name)
    return choice in value if isinstance(value, list) else value == choice


@register.simple_tag
def pair(name, choice) -> str:
    return f"{name} {choice}"


@register.filter
def grouped(number) -> str:
    """A whole number with its thousands grouped as the reader writes them: 3.900.000 in Vietnamese, 3,900,000
    in English."""
    try:
        text = f"{int(number):,}"
    except (TypeError, ValueError):
        return str(number)
    return text if (get_language() or "vi").startswith("en") else text.replace(",", ".")
