"""`python -m pmo_xl` and the `pmo-xl` command start here.

The Ctrl-C and SIGTERM handler goes in before anything else is imported (click, and later
pandas, pandera and openpyxl), so an interruption at any moment, even during imports, ends
with one line and exit code 130 (143 for SIGTERM) instead of a traceback.
"""

import sys


def main() -> None:
    from pmo_xl import interrupts

    try:
        interrupts.install()
        from pmo_xl.cli import main as run
    except interrupts.Interrupted as exc:
        interrupts.settle()
        print(exc.message, file=sys.stderr)
        sys.exit(exc.exit_code)
    run()


if __name__ == "__main__":
    main()
