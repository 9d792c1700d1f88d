"""The `consulta` command: Django's management commands under Consulta's settings.

`consulta demo` turns DEBUG on (a local trial); every other command uses the environment as is.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consulta.settings")
    if len(argv) > 1 and argv[1] == "demo":
        os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
