"""Central queue-and-intake service for one-stop public service centres.

The application is made by ``queue_server.app.create_app``; importing the package itself loads
nothing, so that clients (the post-office client) can use its rules without the web stack.
"""
