"""Exports of the cleaned data (CSV, XLSX, SPSS .sav with labels, the codebook) and of a published report's tables:
what they hold, what they never hold (a follow-up contact, an answer's id or time), and who gets them."""

import csv
import io
import zipfile

import pyreadstat
import pytest
from openpyxl import load_workbook

from surveys.models import FollowUpContact

from .datasys_world import CONTACT_NAME, CONTACT_PHONE, collected_plan, province_leader, results_of

pytestmark = pytest.mark.django_db

EXPECTED_COLUMNS = ["row", "sex", "tuoi", "hai_long", "van_de__duc", "van_de__mui", "dg_tiep_nhan", "dg_xu_ly",
                    "chi_phi", "ngay", "mo_ta", "mo_ta__codes__mui", "stratum", "weight"]


@pytest.fixture
def plan(world, make_plan):
    return collected_plan(world, make_plan)


def _all_bytes(body: bytes) -> bytes:
    """A file's bytes, an XLSX's unzipped members included (its text is compressed)."""
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return b"".join(archive.read(name) for name in archive.namelist())
    return body


def _contact_absent(body: bytes):
    text = _all_bytes(body)
    assert CONTACT_NAME.encode() not in text and CONTACT_PHONE.encode() not in text
    assert "Độcnhất".encode() not in text


def test_sav_reads_back_with_labels_weights_and_cleaning_applied(plan, as_user, tmp_path):
    assert FollowUpContact.objects.filter(plan=plan).count() == 1  # the contact exists, apart
    response = as_user("secretariat").get(f"/surveys/{plan.pk}/data.sav")
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.sav"')
    _contact_absent(response.content)
    path = tmp_path / "data.sav"
    path.write_bytes(response.content)
    frame, meta = pyreadstat.read_sav(str(path), output_format="polars")
    assert list(frame.columns) == EXPECTED_COLUMNS
    labels = meta.column_names_to_labels
    assert labels["hai_long"] == "Mức độ hài lòng với dịch vụ nước sạch"
    assert labels["van_de__mui"] == "Vấn đề gặp phải: Có mùi"
    assert labels["dg_xu_ly"] == "Đánh giá các khâu — Xử lý"
    assert labels["weight"] == "Trọng số (hậu phân tầng)"
    values = meta.variable_value_labels
    assert values["hai_long"] == {1: "Rất không hài lòng", 2: "Không hài lòng", 3: "Bình thường", 4: "Hài lòng",
                                  5: "Rất hài lòng"}
    assert values["sex"] == {"male": "Nam", "female": "Nữ"}
    assert values["van_de__duc"] == {0: "Không chọn", 1: "Có chọn"}
    assert values["mo_ta__codes__mui"] == {0: "Không chọn", 1: "Có chọn"}
    assert meta.variable_measure["hai_long"] == "ordinal" and meta.variable_measure["tuoi"] == "scale"
    # Three rows: the excluded answer is left out; the correction (5 → 4) applied; numbered 1..3, not by id.
    assert frame["row"].to_list() == [1, 2, 3]
    assert frame["hai_long"].to_list() == [2, 4, 4]
    assert frame["weight"].to_list() == [1.5, 0.75, 1.25]
    assert frame["stratum"].to_list() == ["female", "male", "female"]
    # Multiple choice: 1/0 when asked, blank when not asked (hài lòng above 2 skips the question).
    assert frame["van_de__mui"][0] == 1 and frame["van_de__mui"][1] is None
    assert frame["mo_ta__codes__mui"][0] == 1 and frame["mo_ta__codes__mui"][1] == 0
    assert str(frame["ngay"][0]) == "2026-12-10" and frame["chi_phi"][0] == 120.5
    notes = " ".join(meta.notes)
    assert "Phiếu bị loại khi làm sạch không có trong tệp: 1 phiếu." in notes
    assert "1 phiếu có hiệu chỉnh" in notes and "thông tin liên hệ lại" in notes


def test_csv_xlsx_and_codebook(plan, as_user):
    client = as_user("secretariat")
    response = client.get(f"/surveys/{plan.pk}/data.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == EXPECTED_COLUMNS and len(rows) == 4
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["row"] == "1" and first["sex"] == "female" and first["van_de__duc"] == "1"
    assert first["mo_ta"] == "Nước có mùi clo vào buổi sáng" and first["weight"] == "1.5"
    assert dict(zip(rows[0], rows[2], strict=True))["van_de__duc"] == ""  # not asked
    for body in (response.content, client.get(f"/surveys/{plan.pk}/data.xlsx").content,
                 client.get(f"/surveys/{plan.pk}/data.sav").content,
                 client.get(f"/surveys/{plan.pk}/codebook.csv").content):
        _contact_absent(body)
        assert b"received_on" not in _all_bytes(body) and b"channel" not in _all_bytes(body)
    workbook = load_workbook(io.BytesIO(client.get(f"/surveys/{plan.pk}/data.xlsx").content))
    assert workbook.sheetnames == ["Dữ liệu", "Từ điển biến", "Ghi chú"]
    data = list(workbook["Dữ liệu"].values)
    assert list(data[0]) == EXPECTED_COLUMNS and len(data) == 4 and data[3][3] == 4
    codebook = {row[0]: row for row in workbook["Từ điển biến"].values}
    assert codebook["hai_long"][3].startswith("1 = Rất không hài lòng; 2 = Không hài lòng")
    assert codebook["mo_ta__codes__mui"][1] == "Mô tả thêm: Mùi nước" and codebook["mo_ta__codes__mui"][4] == "mo_ta"
    assert codebook["weight"][2] == "Trọng số"
    notes = " ".join(row[0] for row in workbook["Ghi chú"].values)
    assert "cột weight" in notes and "hệ số thiết kế 1.08" in notes
    book = client.get(f"/surveys/{plan.pk}/codebook.csv")
    assert book.status_code == 200 and "hai_long" in book.content.decode("utf-8-sig")


def test_without_weighting_there_is_no_weight_column(world, make_plan, as_user):
    plan = collected_plan(world, make_plan)
    plan.weighting_runs.all().delete()
    rows = list(csv.reader(io.StringIO(as_user("leader").get(f"/surveys/{plan.pk}/data.csv").content.decode("utf-8-sig"))))
    assert "weight" not in rows[0] and len(rows) == 4


def test_only_answer_readers_export(plan, world, as_user):
    """Commune A's staff and the province's supervisor export; commune B, and a leader above who reads the
    approved plan but not its answers, get a 404; an unknown format too."""
    province_leader(world)
    for username in ("secretariat", "leader", "supervisor", "inspector"):
        assert as_user(username).get(f"/surveys/{plan.pk}/data.csv").status_code == 200, username
    assert as_user("leader_p").get(f"/surveys/{plan.pk}/").status_code == 200  # reads the plan...
    for username in ("leader2", "leader_p", "clerk", "handler"):
        for path in ("data.csv", "data.xlsx", "data.sav", "codebook.csv"):
            assert as_user(username).get(f"/surveys/{plan.pk}/{path}").status_code == 404, (username, path)
    assert as_user("secretariat").get(f"/surveys/{plan.pk}/data.json").status_code == 404
    page = as_user("secretariat").get(f"/surveys/{plan.pk}/")
    assert f"/surveys/{plan.pk}/data.sav".encode() in page.content
    assert b"data.sav" not in as_user("leader_p").get(f"/surveys/{plan.pk}/").content


def test_tables_export_hides_suppressed_cells(plan, world, as_user):
    results = results_of(plan, world, scope="parent")
    response = as_user("secretariat").get(f"/surveys/data-system/results/{results.pk}/tables.csv")
    assert response.status_code == 200 and response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_label = {row[1]: row for row in rows if len(row) > 2 and row[0] in ("4", "5", "1")}
    assert by_label["Hài lòng"][2:] == ["40", "71.2", "60.5", "80.0"]
    assert by_label["Rất không hài lòng"][2:] == ["x", "x", "x", "x"]
    crossed = {row[0]: row for row in rows if row and row[0] in ("Hài lòng", "Rất hài lòng")}
    assert crossed["Hài lòng"][1:] == ["21", "36.8", "19", "34.5", "40"]
    assert crossed["Rất hài lòng"][1:] == ["x", "x", "x", "x", "x"]
    text = response.content.decode("utf-8-sig")
    assert "66.7" not in text and "66.6" not in text  # a number left in a suppressed cell never shows
    assert "x: ô bị che vì có dưới 5 câu trả lời" in text and "Rao–Scott" in text
    sheet = load_workbook(io.BytesIO(as_user("secretariat").get(
        f"/surveys/data-system/results/{results.pk}/tables.xlsx").content)).active
    cells = [row for row in sheet.values if row and row[0] == "Rất hài lòng"]
    assert list(cells[-1][1:6]) == ["x", "x", "x", "x", "x"]
    # The province's leader reads results published to the tier above; commune B does not.
    province_leader(world)
    assert as_user("leader_p").get(f"/surveys/data-system/results/{results.pk}/tables.csv").status_code == 200
    assert as_user("leader2").get(f"/surveys/data-system/results/{results.pk}/tables.csv").status_code == 404


def test_unpublished_results_of_commune_a_are_404_for_commune_b(plan, world, as_user):
    draft = results_of(plan, world, scope="parent", published=False)
    internal = results_of(plan, world, scope="internal")
    province_leader(world)
    for results in (draft, internal):
        for fmt in ("csv", "xlsx"):
            url = f"/surveys/data-system/results/{results.pk}/tables.{fmt}"
            assert as_user("leader2").get(url).status_code == 404
            assert as_user("leader_p").get(url).status_code == 404
            assert as_user("secretariat").get(url).status_code == 200
