"""The trust pulse: residents answer the Public Attitude Survey's questions for their ward
once a quarter; the answers, weighted to the ward's census profile, become the ward's own
trust estimate."""
