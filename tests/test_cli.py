"""The command line: every registered sub-command loads, and light ones do not pull in the heavy stack."""
import subprocess
import sys

from click.testing import CliRunner

from cli import COMMANDS, main


def test_every_subcommand_loads_under_its_own_name():
    for name in COMMANDS:
        command = main.get_command(None, name)
        assert command is not None and command.name == name
        assert CliRunner().invoke(main, [name, "--help"]).exit_code == 0


def test_token_command_does_not_import_the_solver_or_the_forecaster():
    code = ("import sys; from cli import main; main.get_command(None, 'token'); "
            "print(any(m in sys.modules for m in ('ortools', 'statsmodels', 'scheduler.roster')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
