"""The built-in demo: the 2024 regional consultations on missing migrants, from their information note."""

from pathlib import Path

DEMO_FILE = Path(__file__).resolve().parent / "missing-migrants-2024.yaml"
DEMO_SLUG = "missing-migrants-2024"
REHEARSAL_SLUG = "missing-migrants-rehearsal"
