"""Delivery: naming conventions for stems, bounces and project versions."""

from __future__ import annotations

from dawkit.delivery.naming import (
    PROJECT_TEMPLATE,
    STEM_TEMPLATE,
    NameFields,
    Namer,
    NamingPolicy,
    render_name,
    safe_field,
    version_label,
)

__all__ = [
    "PROJECT_TEMPLATE",
    "STEM_TEMPLATE",
    "NameFields",
    "Namer",
    "NamingPolicy",
    "render_name",
    "safe_field",
    "version_label",
]
