"""Synthetic clinics for the demo, the tests and the benchmarks. Every record is made up."""

from unstuck.synth.clinic import (
    SYNTHETIC_PREFIX,
    ClinicParameters,
    demo_clinic,
    demo_parameters,
    generate_long_table,
)

__all__ = [
    "SYNTHETIC_PREFIX",
    "ClinicParameters",
    "demo_clinic",
    "demo_parameters",
    "generate_long_table",
]
