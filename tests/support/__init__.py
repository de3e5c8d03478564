"""The shared test kit: real rows built through the services, signed-in clients, small files,
and worlds built once for tests that only read (see ``readonly``)."""
