"""The embedded Redis-compatible server `leadline up` uses on machines without Redis."""

from redis import Redis

from workers.embedded_redis import EmbeddedRedis


def test_embedded_server_starts_on_a_free_port_and_stops():
    server = EmbeddedRedis().start()
    try:
        client = Redis.from_url(server.url)
        assert client.set("k", "v") and client.get("k") == b"v"
        client.close()
    finally:
        process = server._process
        server.stop()
    assert process.poll() is not None
