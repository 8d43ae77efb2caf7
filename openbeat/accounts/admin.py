from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from openbeat.accounts import services
from openbeat.accounts.models import Role, User


class RoleInline(admin.TabularInline):
    model = Role
    fk_name = "user"
    extra = 0
    fields = ("kind", "force", "area_code", "verified_at", "verified_by")
    readonly_fields = ("verified_at", "verified_by")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "display_name", "home_ward_code", "is_staff", "suspended_at", "date_joined")
    list_filter = ("is_staff", "is_active", "notify_frequency")
    search_fields = ("email", "display_name")
    readonly_fields = ("last_login", "date_joined", "suspended_at")
    inlines = [RoleInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Public", {"fields": ("display_name", "home_ward_code", "notify_frequency")}),
        ("Status", {"fields": ("is_active", "is_staff", "is_superuser", "suspended_at", "last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "force", "area_code", "verified_at", "verified_by")
    list_filter = ("kind", ("verified_at", admin.EmptyFieldListFilter), "force")
    search_fields = ("user__email", "user__display_name", "area_code", "force")
    raw_id_fields = ("user",)
    readonly_fields = ("verified_at", "verified_by", "created_at")
    actions = ["verify", "withdraw_verification"]

    @admin.action(description="Verify the selected roles (you vouch for each person)")
    def verify(self, request, queryset):
        count = 0
        for role in queryset.filter(verified_at__isnull=True):
            services.role_verify(role=role, by=request.user)
            count += 1
        messages.success(request, f"{count} role(s) verified.")

    @admin.action(description="Withdraw verification of the selected roles")
    def withdraw_verification(self, request, queryset):
        count = 0
        for role in queryset.filter(verified_at__isnull=False):
            services.role_unverify(role=role)
            count += 1
        messages.success(request, f"{count} role(s) no longer verified.")
