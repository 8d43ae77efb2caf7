"""Reviews in the admin: listed and readable, never editable (a published review is frozen;
publish again from the area's review page or `openbeat review publish` for a new version)."""

from django.contrib import admin

from openbeat.reviews.models import Review


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("area_name", "area_code", "quarter", "version", "published_at", "lake_signature", "synthetic")
    list_filter = ("area_level", "quarter", "synthetic")
    search_fields = ("area_name", "area_code")
    readonly_fields = [f.name for f in Review._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
