"""Follow wards, priorities, areas and reviews; hear about changes by email (immediately or
as a daily digest) from a background worker, never in the request."""
