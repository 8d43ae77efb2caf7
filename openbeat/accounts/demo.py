"""Synthetic people for the demo: residents, verified officers, a ward panel, a moderator
and an administrator, each labelled synthetic, all signing in with one published password.

Run by ``openbeat serve --demo`` after migrating (``openbeat.web.server.DEMO_SEEDERS``);
running it again changes nothing. Never run outside the demo: the password is public.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

#: Every demo account's password. Public on purpose: the demo is synthetic and local.
DEMO_PASSWORD = "northbridge-demo"
DEMO_DOMAIN = "northbridge.example"  # .example never resolves (RFC 2606)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    display_name: str
    role: str  # what the demo page calls them
    can: str  # what they can try


def demo_accounts() -> list[DemoAccount]:
    """The demo's accounts that sign in with :data:`DEMO_PASSWORD`, as seeded (empty until
    :func:`demo_accounts_seed` has run). Other demos' synthetic people in the same domain
    (e.g. the events demo's attendees, who have no usable password) are not listed."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

    from openbeat.accounts.models import Role, User

    rows = []
    people = (User.objects.filter(email__endswith="@" + DEMO_DOMAIN, is_active=True)
              .exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX).exclude(password=""))
    for user in people.prefetch_related("roles").order_by("pk"):
        kinds = {r.kind for r in user.roles.all() if r.verified_at}
        if user.is_staff or Role.Kind.ADMINISTRATOR in kinds:
            role, can = "Administrator", "verify officers and appoint roles in the admin; everything a moderator can do"
        elif Role.Kind.MODERATOR in kinds:
            role, can = "Moderator", "hide or restore reported items with a public reason, suspend accounts"
        elif Role.Kind.OFFICER in kinds:
            role, can = "Verified officer", "adopt priorities, post actions and progress (badge shown)"
        elif Role.Kind.PANEL_CHAIR in kinds:
            role, can = "Ward panel chair", "adopt or decline priorities, close them with a summary"
        elif Role.Kind.PANEL_MEMBER in kinds:
            role, can = "Ward panel member", "adopt or decline priorities with the team"
        else:
            role, can = "Resident", "propose, support, comment, report, follow; download or delete their data"
        rows.append(DemoAccount(email=user.email, display_name=user.public_name, role=role, can=can))
    return rows


def _person(email_local: str, display_name: str, *, ward: str = "", frequency: str = "immediate"):
    from allauth.account.models import EmailAddress

    from openbeat.accounts.models import User

    email = f"{email_local}@{DEMO_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, display_name=display_name,
                                        home_ward_code=ward, notify_frequency=frequency)
        # allauth asks new people to confirm their address; these ones are made up
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


@transaction.atomic
def demo_accounts_seed() -> str:
    """Seed the demo's people for the lake's first force and its wards. Returns a line to print."""
    from openbeat.accounts.models import Role
    from openbeat.accounts.services import role_create
    from openbeat.areas import lookup
    from openbeat.areas.teams import area_team
    from openbeat.notifications.services import follow_create

    forces = lookup.forces()
    wards, _ = lookup.area_list(level="ward", limit=1000)
    if not forces or not wards:
        return "demo accounts: skipped (the lake has no force or wards yet: run 'openbeat demo')"
    force = forces[0].code
    teams = [(w, t) for w in wards if (t := area_team(area=w)) is not None and t.force == force]
    if not teams:
        teams = [(w, None) for w in wards]

    admin = _person("admin", "Administrator (synthetic)")
    if not admin.is_staff:
        role_create(user=admin, kind=Role.Kind.ADMINISTRATOR, verified_by=admin)
        admin.refresh_from_db()

    names = ["Amira", "Ben", "Chloe", "Dev", "Esther", "Femi"]
    for i, first in enumerate(names):
        ward = teams[i % min(3, len(teams))][0]
        person = _person(f"resident{i + 1}", f"{first} (synthetic resident)", ward=ward.code,
                         frequency="daily" if i % 3 == 2 else "immediate")
        follow_create(user=person, target_kind="ward", target_code=ward.code)

    for i, (ward, team) in enumerate(teams[:2]):
        officer = _person(f"officer{i + 1}", f"PC {['Shah', 'Morgan'][i]} (synthetic officer)")
        area_code = team.neighbourhood_id if team is not None else ward.code
        role_create(user=officer, kind=Role.Kind.OFFICER, area_code=area_code, force=force, verified_by=admin)
        follow_create(user=officer, target_kind="ward", target_code=ward.code)

    home = teams[0][0]
    chair = _person("chair", "Grace (synthetic ward panel chair)", ward=home.code)
    role_create(user=chair, kind=Role.Kind.PANEL_CHAIR, area_code=home.code, force=force, verified_by=admin)
    member = _person("panel", "Hassan (synthetic ward panel member)", ward=home.code)
    role_create(user=member, kind=Role.Kind.PANEL_MEMBER, area_code=home.code, force=force, verified_by=admin)
    moderator = _person("moderator", "Moderator (synthetic)")
    role_create(user=moderator, kind=Role.Kind.MODERATOR, area_code=force, force=force, verified_by=admin)
    # someone waiting to be verified, so an administrator has something to do
    pending = _person("officer3", "PC Okafor (synthetic officer, not yet verified)")
    role_create(user=pending, kind=Role.Kind.OFFICER, area_code=teams[-1][1].neighbourhood_id
                if teams[-1][1] is not None else teams[-1][0].code, force=force)
    return (f"demo accounts: {len(demo_accounts())} synthetic people in {force}, password {DEMO_PASSWORD!r} "
            f"(listed at /demo/accounts/)")
