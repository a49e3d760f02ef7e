from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class CasePagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100  # a client asking for more gets this many

    def get_page_size(self, request):
        """A `page_size` that is not a whole number from 1 is a 400, not quietly the default (as the schema says)."""
        given = request.query_params.get(self.page_size_query_param, "")
        if given == "":  # not sent, or sent empty: the default, like any empty filter
            return self.page_size
        try:
            size = int(given)
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationError({self.page_size_query_param: [_("Số dòng mỗi trang phải là số nguyên từ 1.")]})
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        return [
            {"name": self.page_query_param, "required": False, "in": "query",
             "description": str(_("Trang thứ mấy, từ 1; quá trang cuối thì 404.")),
             "schema": {"type": "integer", "minimum": 1}},
            {"name": self.page_size_query_param, "required": False, "in": "query",
             "description": str(_("Số dòng mỗi trang (mặc định 25); hỏi hơn 100 thì được 100.")),
             "schema": {"type": "integer", "minimum": 1}},
        ]
