"""`python -m pmo_xl` runs the pmo-xl command."""

from pmo_xl.cli import main

main()
