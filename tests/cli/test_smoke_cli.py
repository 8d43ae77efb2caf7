from click.testing import CliRunner

from openbeat.cli import main


def test_every_command_has_an_example_in_its_help():
    runner = CliRunner()
    for name, command in main.commands.items():
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example:" in result.output, f"openbeat {name} --help has no Example: block"
