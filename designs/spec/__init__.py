"""The trial design: frozen, validated sections, TOML in and out, the library of designs."""

from designs.spec.design import *  # noqa: F403
from designs.spec.design import __all__  # noqa: F401
