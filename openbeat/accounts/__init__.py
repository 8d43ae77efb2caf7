"""Accounts: who people are on OpenBeat (residents, officers, panel members, moderators,
administrators), their roles, and what they may do with their own data."""
