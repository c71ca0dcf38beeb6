"""Business-neutral infrastructure and the published event contracts of Pactstream.

Nothing here knows about a particular service; services build on it.
"""
