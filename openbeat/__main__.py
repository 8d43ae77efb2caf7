from openbeat.cli import main

main()
