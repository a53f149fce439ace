from django.contrib import admin
from django.utils import timezone

from communities.models import Community, CommunityAlias, Department, Pairing, PairingChiefTerm, Person, Street


@admin.register(Street)
class StreetAdmin(admin.ModelAdmin):
    list_display = ["name", "district"]


class CommunityAliasInline(admin.TabularInline):
    model = CommunityAlias
    extra = 1


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "population", "households", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "aliases__alias"]
    inlines = [CommunityAliasInline]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]
    search_fields = ["name"]


class PairingChiefTermInline(admin.TabularInline):
    model = PairingChiefTerm
    extra = 0
    readonly_fields = ["chief", "started_at", "ended_at"]
    can_delete = False


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ["community", "department", "chief", "is_active"]
    list_filter = ["department", "is_active"]
    list_select_related = ["community", "department", "chief"]
    inlines = [PairingChiefTermInline]

    def save_model(self, request, obj, form, change):
        # A change of chief closes the running term and opens a new one; the
        # cases of the pairing stay as they are.
        super().save_model(request, obj, form, change)
        if "chief" in form.changed_data or not change:
            now = timezone.now()
            PairingChiefTerm.objects.filter(pairing=obj, ended_at__isnull=True).update(ended_at=now)
            if obj.chief_id:
                PairingChiefTerm.objects.create(pairing=obj, chief_id=obj.chief_id, started_at=now)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["full_name", "role", "community", "department", "user"]
    list_filter = ["role", "community", "department"]
    search_fields = ["full_name", "user__username"]
    list_select_related = ["community", "department", "user"]
