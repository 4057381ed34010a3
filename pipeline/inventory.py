"""Inventory analysis of the applications and infrastructure the kept submissions report (pure, no I/O).

Rules (the report's inventory sheets show their results):

* **Same application across OPDs.** Two entries are the same application when their normalised
  names are equal or their normalised URLs are equal (the relation is closed transitively, so
  A~B by name and B~C by URL puts A, B, C in one group). A group is *shared* when it holds entries
  of at least two different OPDs.

  - name key (:func:`name_key`): Unicode-folded and casefolded, accents removed, the prefix "e-"
    removed from each word ("e-Office" -> "office"), dotted initials joined ("S.I.M.P.E.G." ->
    "simpeg"), other punctuation removed, the words "aplikasi",
    "app", "sistem", "system", "informasi", "online" and a lone "e" dropped, the rest joined without
    spaces ("Aplikasi SRIKANDI" and "Srikandi" match). A name made only of dropped words keeps its
    casefolded form.
  - URL key (:func:`url_key`): casefolded, scheme ("http://", "https://", ...) removed, "www."
    removed, query and fragment removed, trailing "/" removed. Empty URLs never match.

* **Functions served by several different applications** (candidates for a shared application,
  *aplikasi umum berbagi pakai*, or for integration): per catalog function key (free-text
  "lainnya: ..." functions are left out), the distinct application groups among *active*
  applications; listed when there are at least two.
* **Hosting outside the province or at a vendor**: hosting keys "vendor-luar-provinsi", "cloud",
  "kementerian" and any "lainnya" / "lainnya: ..." (location unknown or non-standard). The list is
  split in two: *could move* (vendor outside the province, cloud, lainnya) and *national applications
  on ministry servers* ("kementerian": shared national systems such as SIPD or SIASN, run by a
  ministry; the province cannot move them).
* **Provincial server room** (:func:`room_rows`), per OPD. One rule for applications and servers: what
  is already in a government data centre ("pusat-data-pemprov", "pdn") or on a ministry server
  ("kementerian") is not moved. Applications that would move = *active* applications elsewhere;
  servers that would move = servers elsewhere, with their vCPU, RAM, storage and monthly rent. A size
  not given (a blank or unusable cell of the Server sheet, or every server the previous template
  version only counted) is the plan's default size, and the server is counted as *estimated*.
* **Order of migration** (:func:`migration_order`): the applications that would move, ranked by four
  questions asked in this order: used by the public ("Publik / masyarakat", "Internal dan publik"),
  hosted outside the province (as above), shared by several OPDs (the grouping above), run on a server
  past its service life (a Server row naming the application, in service for at least the plan's
  service life at the evaluation year). An application with a yes comes before one with a no on the
  first question where they differ; then by OPD code and name.
* **Network** (:func:`network_checks`), per office site: the bandwidth the site needs is the plan's
  minimum, or users x Mbps per user + the OPD's active applications x Mbps per application when that is
  more. Flags: bandwidth below that need ("slow"), not given ("unknown"), more outages in three months
  than the plan allows ("outages"), not on the provincial network ("off-network"). An OPD with no site
  gets one row flagged "unknown".
* **Services vs applications**, per catalog service and OPD, with the level used for the
  service's indicators: flag "no-app" when some level is >= 3 and the OPD lists no active
  application for the service; flag "low-level" when it lists one and every level is <= 1.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from pipeline import layout as L
from pipeline.catalog.framework import Framework
from pipeline.catalog.plan import Plan
from pipeline.model import Application, Server, ServerCount, Site, Submission

STOP_WORDS = frozenset({"aplikasi", "app", "apps", "sistem", "system", "informasi", "online", "e"})
OUTSIDE_HOSTING = ("vendor-luar-provinsi", "cloud", "kementerian")
DC_HOSTING = ("pusat-data-pemprov", "pdn")  # already in a government data centre
MINISTRY_HOSTING = "kementerian"  # a ministry's server: national applications, not moved by the province
NOT_MOVED = (*DC_HOSTING, MINISTRY_HOSTING)
INACTIVE = "tidak-aktif"
FLAG_NO_APP = "no-app"  # an indicator of the service at NEEDS_APP_FROM or above, and no active application
FLAG_LOW_LEVEL = "low-level"  # an active application, and every indicator of the service at LOW_LEVEL_UP_TO or below
NEEDS_APP_FROM, LOW_LEVEL_UP_TO = 3, 1  # the service rule: here (levels used) and in validate (the OPD's answers)
PUBLIC_USERS = frozenset(label for key, label, _ in L.USERS if key in ("publik", "internal-publik"))
SITE_FLAGS = ("slow", "unknown", "outages", "off-network")


@functools.lru_cache(maxsize=1 << 14)
def name_key(name: str) -> str:
    """Normalised application name used for matching (see the module docstring)."""
    text = unicodedata.normalize("NFKC", str(name)).casefold()
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = re.sub(r"(?<![0-9a-z])e-(?=[0-9a-z])", "", text)  # e-Office, e-Kinerja
    # initials written with dots ("S.I.M.P.E.G.") are joined back into one word before splitting
    text = re.sub(r"(?<![0-9a-z])(?:[0-9a-z]\.){2,}(?:[0-9a-z](?![0-9a-z]))?", lambda m: m[0].replace(".", ""), text)
    words = re.sub(r"[^0-9a-z]+", " ", text).split()
    kept = [w for w in words if w not in STOP_WORDS]
    key = "".join(kept)
    return key or "".join(words) or str(name).strip().casefold()


def url_key(url: str) -> str:
    """Normalised URL used for matching: host + path, no scheme, no "www.", no query, no trailing slash."""
    text = str(url).strip().casefold()
    if not text:
        return ""
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = re.split(r"[?#]", text, maxsplit=1)[0]
    text = re.sub(r"^www\.", "", text)
    return text.rstrip("/")


def active(app: Application) -> bool:
    return app.status != INACTIVE


def outside(hosting: str) -> bool:
    """Hosted outside the province, at a vendor, or at an unknown/other location."""
    return hosting in OUTSIDE_HOSTING or hosting.startswith("lainnya")


def movable(location: str) -> bool:
    """An application or server at ``location`` could move to the provincial data centre (see the docstring)."""
    return location not in NOT_MOVED


# ---------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Entry:
    """One application as one OPD reported it."""

    opd: str
    file: str
    app: Application


@dataclass(frozen=True, slots=True)
class AppGroup:
    """Entries that are the same application; ``shared`` when reported by two or more OPDs."""

    label: str  # the most common reported name (ties: first in sort order)
    entries: tuple[Entry, ...]
    by_name: bool  # at least two entries matched on the name key
    by_url: bool  # at least two entries matched on the URL key

    @property
    def opds(self) -> tuple[str, ...]:
        return tuple(sorted({e.opd for e in self.entries}))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(sorted({e.app.name for e in self.entries}, key=lambda n: (n.casefold(), n)))

    @property
    def shared(self) -> bool:
        return len(self.opds) >= 2


@dataclass(frozen=True, slots=True)
class FunctionSpread:
    """A function served by several different (active) applications across OPDs."""

    function: str
    label: str
    groups: tuple[AppGroup, ...]


@dataclass(frozen=True, slots=True)
class RoomRow:
    """What one OPD has and what of it would move into the provincial server room (see the module docstring)."""

    opd: str
    apps: tuple[Application, ...]  # active applications that would move
    apps_total: int  # all active applications
    servers: int  # servers that would move
    servers_total: int
    estimated: int  # of the servers that would move, those with a size (partly) from the plan's defaults
    vcpu: float  # of the servers that would move
    ram_gb: float
    storage_gb: float
    rent: int  # rupiah per month, of the servers that would move
    machines: tuple[Server, ...]  # the OPD's Server sheet
    counts: tuple[ServerCount, ...]  # the previous template version's counts per location


@dataclass(frozen=True, slots=True)
class Move:
    """One application in the order of migration, with the answers that placed it."""

    rank: int
    opd: str
    app: Application
    public: bool
    outside: bool
    shared: int  # OPDs reporting the same application (0: this OPD only)
    old_since: int | None  # year in service of its oldest server past the service life


@dataclass(frozen=True, slots=True)
class SiteCheck:
    """One office site against what the OPD runs there."""

    opd: str
    site: Site | None  # None: the OPD reported no office site
    need: float  # Mbps
    flags: tuple[str, ...]  # of SITE_FLAGS


@dataclass(frozen=True, slots=True)
class ServiceRow:
    service: str
    label: str
    opd: str
    levels: tuple[tuple[str, int], ...]  # (indicator id, level used)
    apps: tuple[str, ...]  # names of active applications for the service
    flags: tuple[str, ...]


@dataclass
class Inventory:
    entries: list[Entry]
    groups: list[AppGroup]
    spread: list[FunctionSpread]
    apps_by_location: dict[str, int]
    servers_by_location: dict[str, int]
    by_opd: dict[str, dict[str, tuple[int, int]]]  # opd -> location -> (apps, servers)
    outside: list[Entry]
    no_server_room: list[str]
    plan: Plan
    room: list[RoomRow]
    order: list[Move]
    network: list[SiteCheck]

    @property
    def shared(self) -> list[AppGroup]:
        return [g for g in self.groups if g.shared]

    @property
    def outside_movable(self) -> list[Entry]:
        """Applications hosted outside that could move (vendor outside the province, cloud, lainnya)."""
        return [e for e in self.outside if movable(e.app.hosting)]

    @property
    def outside_ministry(self) -> list[Entry]:
        """National applications on ministry servers (not moved)."""
        return [e for e in self.outside if e.app.hosting == MINISTRY_HOSTING]

    @property
    def room_totals(self) -> dict[str, float]:
        """The per-OPD table's totals: active and moving applications, all and moving servers, estimated
        sizes, vCPU, RAM, storage and monthly rent of what moves."""
        room = self.room
        return {"apps_total": sum(x.apps_total for x in room), "apps": sum(len(x.apps) for x in room),
                "servers_total": sum(x.servers_total for x in room), "servers": sum(x.servers for x in room),
                "estimated": sum(x.estimated for x in room), "vcpu": sum(x.vcpu for x in room),
                "ram": sum(x.ram_gb for x in room), "storage": sum(x.storage_gb for x in room),
                "rent": sum(x.rent for x in room)}

    @property
    def room_sizing(self) -> dict[str, float]:
        """:func:`room_sizing` of the plan and :attr:`room_totals`."""
        return room_sizing(self.plan, self.room_totals)

    def room_of(self, code: str) -> RoomRow | None:
        return next((p for p in self.room if p.opd == code), None)


# ---------------------------------------------------------------- analysis


def entries_of(subs: Iterable[Submission]) -> list[Entry]:
    """Every application of every submission, sorted by OPD code then sheet row."""
    out = [Entry(s.opd_code, s.file, a) for s in subs for a in s.applications]
    return sorted(out, key=lambda e: (e.opd, e.app.row, e.app.name))


def group_applications(entries: Sequence[Entry]) -> list[AppGroup]:
    """Group entries that are the same application (name key or URL key), sorted by OPD count then label."""
    parent = list(range(len(entries)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    keys = [(name_key(e.app.name), url_key(e.app.url)) for e in entries]  # once per entry
    first: dict[tuple[str, str], int] = {}
    for i, (nk, uk) in enumerate(keys):
        for kind, key in (("name", nk), ("url", uk)):
            if not key:
                continue
            if (kind, key) in first:
                parent[root(i)] = root(first[(kind, key)])
            else:
                first[(kind, key)] = i
    members: dict[int, list[int]] = {}
    for i in range(len(entries)):
        members.setdefault(root(i), []).append(i)
    groups = []
    for idx in members.values():
        items = [entries[i] for i in idx]
        counts = Counter(e.app.name for e in items)  # one pass, not a count per distinct name
        label = min(counts, key=lambda n: (-counts[n], n.casefold(), n))
        name_keys = [keys[i][0] for i in idx]
        url_keys = [keys[i][1] for i in idx if keys[i][1]]
        groups.append(AppGroup(label, tuple(items), len(name_keys) != len(set(name_keys)),
                               len(url_keys) != len(set(url_keys))))
    return sorted(groups, key=lambda g: (-len(g.opds), g.label.casefold(), g.label))


def function_spread(fw: Framework, groups: Sequence[AppGroup]) -> list[FunctionSpread]:
    """Catalog functions served by two or more different application groups (active applications only)."""
    labels = {s.key: s.label for s in fw.services}
    # one pass over the entries (not one per function): function -> group position -> serving entries
    serving: dict[str, dict[int, list[Entry]]] = {}
    for pos, g in enumerate(groups):
        for e in g.entries:
            if e.app.function in labels and active(e.app):
                serving.setdefault(e.app.function, {}).setdefault(pos, []).append(e)
    out = []
    for key, label in labels.items():
        hits = [AppGroup(groups[pos].label, tuple(items), groups[pos].by_name, groups[pos].by_url)
                for pos, items in sorted(serving.get(key, {}).items())]
        if len(hits) >= 2:
            out.append(FunctionSpread(key, label, tuple(hits)))
    return out


def analyse(fw: Framework, subs: Sequence[Submission], plan: Plan, year: int) -> Inventory:
    """The inventory analysis of the kept submissions (one per OPD), but for :func:`service_rows`.

    ``plan``: the planning parameters; ``year``: the evaluation year (servers past their service life).
    Returns:
        An :class:`Inventory`; every list is sorted (by OPD code, then row or name).
    """
    subs = sorted(subs, key=lambda s: s.opd_code)
    entries = entries_of(subs)
    groups = group_applications(entries)
    apps_loc: dict[str, int] = {}
    servers_loc: dict[str, int] = {}
    by_opd: dict[str, dict[str, tuple[int, int]]] = {}
    for s in subs:
        mine: dict[str, list[int]] = {}
        for a in s.applications:
            apps_loc[a.hosting] = apps_loc.get(a.hosting, 0) + 1
            mine.setdefault(a.hosting, [0, 0])[0] += 1
        for location, n in s.infrastructure.server_counts().items():
            servers_loc[location] = servers_loc.get(location, 0) + n
            mine.setdefault(location, [0, 0])[1] += n
        by_opd[s.opd_code] = {k: (v[0], v[1]) for k, v in sorted(mine.items())}
    room = [room_row(s, plan) for s in subs]
    return Inventory(
        entries=entries,
        groups=groups,
        spread=function_spread(fw, groups),
        apps_by_location=dict(sorted(apps_loc.items())),
        servers_by_location=dict(sorted(servers_loc.items())),
        by_opd=by_opd,
        outside=[e for e in entries if outside(e.app.hosting)],
        no_server_room=[s.opd_code for s in subs if s.infrastructure.has_server_room == "tidak"],
        plan=plan,
        room=room,
        order=migration_order(room, groups, plan, year),
        network=network_checks(subs, plan),
    )


def room_sizing(p: Plan, t: Mapping[str, float]) -> dict[str, float]:
    """The provincial server room for the plan ``p`` and the per-OPD totals ``t`` (:attr:`Inventory.room_totals`):
    what it must hold in ``horizon_years``, the hosts, storage, racks and power, and its yearly cost beside
    today's rent. The rekap writes each as a formula over the parameter cells (pipeline.report.room's ROOM_ITEMS
    and COST_ITEMS, the same computation: LibreOffice recalculates them to these values in the tests)."""
    def up(x: float) -> int:
        return math.ceil(round(x, 6))

    v = {"servers_now": t["servers"], "vcpu_now": t["vcpu"], "ram_now": t["ram"], "storage_now": t["storage"],
         "growth": (1 + p.growth_per_year) ** p.horizon_years}
    v.update(vms=v["servers_now"] * v["growth"], vcpu_need=v["vcpu_now"] * v["growth"],
             ram_need=v["ram_now"] * v["growth"])
    v["hosts_load"] = max(up(v["vms"] / p.vms_per_host), up(v["vcpu_need"] / p.host_vcpu),
                          up(v["ram_need"] / p.host_ram_gb))
    v["hosts"] = v["hosts_load"] + p.spare_hosts if v["hosts_load"] > 0 else 0
    v["storage_usable"] = v["storage_now"] * v["growth"] / 1000
    v["storage_raw"] = v["storage_usable"] * p.storage_redundancy
    v["units"] = v["hosts"] * p.units_per_host
    v["racks"] = up(v["units"] / p.units_per_rack)
    v["kw_it"] = v["hosts"] * p.kw_per_host
    v["kw_total"] = v["kw_it"] * p.pue
    v["rent_year"] = t["rent"] * 12
    v["power_year"] = v["kw_total"] * 8760 * p.tariff_per_kwh
    v["hardware_year"] = v["hosts"] * p.host_price / p.service_life_years
    v["room_year"] = v["power_year"] + v["hardware_year"]
    v["difference"] = v["rent_year"] - v["room_year"]
    return v


def room_row(sub: Submission, plan: Plan) -> RoomRow:
    """What one OPD has and would move (see the module docstring)."""
    infra = sub.infrastructure
    act = [a for a in sub.applications if active(a)]
    moving = [s for s in infra.server_rows if movable(s.hosting)]
    counted = sum(c.count for c in infra.servers if movable(c.location)) if not infra.server_rows else 0

    def size(attr: str, default: float) -> float:
        return sum(default if getattr(s, attr) is None else getattr(s, attr) for s in moving) + counted * default

    estimated = sum(1 for s in moving if None in (s.vcpu, s.ram_gb, s.storage_gb)) + counted
    return RoomRow(sub.opd_code, tuple(a for a in act if movable(a.hosting)), len(act), len(moving) + counted,
                   sum(infra.server_counts().values()), estimated, size("vcpu", plan.server_vcpu),
                   size("ram_gb", plan.server_ram_gb), size("storage_gb", plan.server_storage_gb),
                   sum(s.rent or 0 for s in moving), infra.server_rows, infra.servers)


def migration_order(room: Sequence[RoomRow], groups: Sequence[AppGroup], plan: Plan, year: int) -> list[Move]:
    """The applications that would move, in the order of migration (see the module docstring)."""
    shared = {}
    for g in groups:
        if g.shared:
            n = len(g.opds)  # once per group: a national application's group holds every OPD
            shared.update(((e.opd, e.app.row), n) for e in g.entries)
    rows = []
    for p in room:
        old: dict[str, int] = {}  # application name key -> year in service of its oldest server past its life
        for s in p.machines:
            if s.year is not None and year - s.year >= plan.service_life_years:
                for name in s.apps:
                    old[name_key(name)] = min(old.get(name_key(name), s.year), s.year)
        rows += [(a.users in PUBLIC_USERS, outside(a.hosting), shared.get((p.opd, a.row), 0), old.get(name_key(a.name)),
                  p.opd, a) for a in p.apps]
    rows.sort(key=lambda m: (not m[0], not m[1], not m[2], m[3] is None, m[4], m[5].name.casefold(), m[5].row))
    return [Move(n, opd, a, public, out, sh, since) for n, (public, out, sh, since, opd, a) in enumerate(rows, 1)]


def network_checks(subs: Sequence[Submission], plan: Plan) -> list[SiteCheck]:
    """Every office site of every OPD against what the OPD runs and how many users it serves."""
    out = []
    for sub in subs:
        apps = sum(1 for a in sub.applications if active(a))
        for site in sub.infrastructure.sites or (None,):
            users = (site.users or 0) if site else 0
            need = max(plan.min_mbps, users * plan.mbps_per_user + apps * plan.mbps_per_app)
            bandwidth = site.bandwidth if site else None
            flags = ("unknown" if bandwidth is None else "slow" if bandwidth < need else "",
                     "outages" if site and (site.outages or 0) > plan.max_outages else "",
                     "off-network" if site and site.intranet == "tidak" else "")
            out.append(SiteCheck(sub.opd_code, site, need, tuple(f for f in flags if f)))
    return out


def service_rows(fw: Framework, subs: Sequence[Submission],
                 levels: Mapping[str, Mapping[str, int]]) -> Iterator[ServiceRow]:
    """Per service of the catalog and per OPD: levels used, active applications and flags, in that order.

    ``levels``: OPD code -> indicator id -> level used in the score. Made as they are read (a national
    batch has a row per service and OPD).
    """
    ordered = sorted(subs, key=lambda x: x.opd_code)  # sorted once, not once per service
    active_by_function = []
    for s in ordered:
        mine: dict[str, list[str]] = {}
        for a in s.applications:
            if active(a):
                mine.setdefault(a.function, []).append(a.name)
        active_by_function.append(mine)
    for svc in fw.services:
        for s, mine in zip(ordered, active_by_function, strict=True):
            used = levels.get(s.opd_code, {})
            lv = tuple((i, used[i]) for i in svc.indicators if i in used)
            apps = tuple(mine.get(svc.key, ()))
            flags = []
            if any(v >= NEEDS_APP_FROM for _, v in lv) and not apps:
                flags.append(FLAG_NO_APP)
            if apps and lv and max(v for _, v in lv) <= LOW_LEVEL_UP_TO:
                flags.append(FLAG_LOW_LEVEL)
            yield ServiceRow(svc.key, svc.label, s.opd_code, lv, apps, tuple(flags))
