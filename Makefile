# The README's two commands. Everything else is in scripts/ and the openbeat CLI.
.PHONY: demo test

demo:
	scripts/bootstrap.sh
	.venv/bin/openbeat demo
	.venv/bin/openbeat serve --demo

test:
	scripts/test.sh
