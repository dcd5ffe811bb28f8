"""A PMO's own policy in words: what `pmo-xl rules --master MASTER` prints beside the rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pmo_xl.validators.policy import Policy, Setting


def in_force(policy: Policy, setting: Setting) -> str:
    """`warning (Rules!A3, default info)`, or `info (the default)`."""
    if setting.row is None or not setting.departs:
        return f"{setting.severity} (the default)"
    return f"{setting.severity} ({policy.address(setting)}, default {setting.default})"


def departure_lines(policy: Policy, master_name: str) -> list[str]:
    """One line per Rules row that changes something, then one per row that sets nothing."""
    rows: dict[int, list[Setting]] = {}
    for setting in policy.departures:
        rows.setdefault(setting.row or 0, []).append(setting)
    if not rows and not policy.unapplied:
        where = "has no Rules sheet" if policy.sheet is None else "sets no rule apart"
        return [f"{master_name} {where}: every rule runs at its default severity."]
    count = len(policy.departures)
    lines = [f"{master_name}'s Rules sheet: {count} rule{'s' if count != 1 else ''} "
             f"depart{'s' if count == 1 else ''} from the default."]
    for settings in rows.values():
        first = settings[0]
        codes = ", ".join(s.code for s in settings)
        defaults = ", ".join(sorted({s.default for s in settings}))
        what = (first.code if first.target == first.code
                else f"{first.target} ({codes})")
        approved = f"approved by {first.approved_by}"
        if first.approved_date is not None:
            approved += f" on {first.approved_date.isoformat()}"
        lines.append(f"  {policy.address(first)}: {what} set to {first.severity} (default "
                     f"{defaults}); {approved}. Reason: {first.reason}")
    for row, why in policy.unapplied:
        address = f"{policy.sheet}!{policy.rule_letter}{row.row}"
        lines.append(f"  {address} sets nothing: {why} (pmo-xl check names it).")
    return lines
