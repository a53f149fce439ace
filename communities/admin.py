from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from communities.models import Community, CommunityAlias, Department, Pairing, PairingChiefTerm, Person, Street
from communities.services import pairing_chief_check, pairing_set_chief
from hotline.errors import InvalidInput


@admin.register(Street)
class StreetAdmin(admin.ModelAdmin):
    list_display = ["name", "district"]

    def has_add_permission(self, request):
        # One installation serves one street office (README, "Architecture").
        return not Street.objects.exists()


class CommunityAliasInline(admin.TabularInline):
    model = CommunityAlias
    extra = 1


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "kind", "population", "households", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "aliases__alias"]
    inlines = [CommunityAliasInline]
    readonly_fields = ["slip_links"]

    @admin.display(description="急难愁盼二维码")
    def slip_links(self, community: Community) -> str:
        if community.pk is None:
            return "—"
        return format_html(
            '<a href="{}">A4海报</a> · <a href="{}">纸质意见条</a> · <a href="{}">意见条页面</a>',
            reverse("slip-print", args=[community.pk, "poster"]),
            reverse("slip-print", args=[community.pk, "paper"]),
            reverse("slip-public", args=[community.pk]),
        )


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "is_active"]
    search_fields = ["name"]


class PairingChiefTermInline(admin.TabularInline):
    model = PairingChiefTerm
    extra = 0
    readonly_fields = ["chief", "started_at", "ended_at"]
    can_delete = False


class PairingForm(forms.ModelForm):
    class Meta:
        model = Pairing
        fields = ["community", "department", "chief", "is_active"]

    def clean(self):
        cleaned = super().clean()
        # The department is read-only (not in the form) once the pairing has cases.
        department = cleaned.get("department")
        department_id = department.pk if department else self.instance.department_id
        if department_id is not None:
            chief = cleaned.get("chief")
            try:
                pairing_chief_check(
                    pairing=self.instance, department_id=department_id, chief_id=chief.pk if chief else None
                )
            except InvalidInput as error:
                self.add_error("chief", error.message)
        return cleaned


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    form = PairingForm
    list_display = ["community", "department", "chief", "is_active"]
    list_filter = ["department", "is_active"]
    list_select_related = ["community", "department", "chief"]
    inlines = [PairingChiefTermInline]

    def get_readonly_fields(self, request, obj=None):
        # Past cases keep their pairing: once it has cases, its units are fixed
        # (to change them, deactivate it and add a new pairing).
        if obj is not None and obj.cases.exists():
            return ["community", "department"]
        return []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or "chief" in form.changed_data:
            pairing_set_chief(pairing=obj, chief_id=obj.chief_id)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["full_name", "role", "community", "department", "user"]
    list_filter = ["role", "community", "department"]
    search_fields = ["full_name", "user__username"]
    list_select_related = ["community", "department", "user"]
