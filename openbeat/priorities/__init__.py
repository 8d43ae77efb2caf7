"""Local priorities: residents propose and support them, the ward's panel and team adopt up
to a limit for a period (or decline, saying why), officers post actions, the panel closes
them; "You said, we did" shows the lot, with the evidence from the analytics beside each.
"""
