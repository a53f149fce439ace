from django.contrib import admin

from governance.models import Organisation, Slip


@admin.register(Slip)
class SlipAdmin(admin.ModelAdmin):
    """Read-only: every change goes through the lead queue's services."""

    list_display = ["receipt_code", "community", "source", "status", "created_at"]
    list_filter = ["status", "source", "community"]
    search_fields = ["receipt_code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """The register of outside bodies (房管所, property companies, 城管执法队, 业委会…):
    street staff keep it here; meetings and decisions pick from it."""

    list_display = ["name", "kind", "contact_name", "contact_phone", "is_active", "street"]
    list_filter = ["kind", "is_active", "communities"]
    search_fields = ["name", "contact_name"]
    filter_horizontal = ["communities"]
    ordering = ["kind", "name"]
