"""The printable case sheet: a print button on the case page, and a print stylesheet that keeps the case and
its history but drops the navigation, the forms and the buttons."""

from pathlib import Path

from django.conf import settings


def test_the_case_page_prints_as_a_sheet_with_its_history(new_case, as_user):
    case = new_case()
    page = as_user("clerk").get(f"/cases/{case.code}/").content.decode()
    assert 'data-testid="print-case"' in page and 'data-testid="timeline"' in page
    css = (Path(settings.BASE_DIR) / "web/static/web/app.css").read_text()
    rules = css[css.index("@media print"):]
    hidden = rules[:rules.index("display: none")]
    assert all(part in hidden for part in (".topbar", "form", "#moves", "[data-print]"))
    assert "#history" not in hidden and ".timeline" not in hidden
