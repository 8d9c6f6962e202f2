"""Tests of the Python modules beside the pages and the SQL: charts, the CLI, calendar invites, the job runner,
notifications and the messages they send, the demo world and the Stripe stand-in."""
