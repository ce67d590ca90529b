#!/usr/bin/python3
"""The lab's publisher, reduced to one run: connect like the lab and publish one
order_created event, as menu choice 1 of publisher.py does.

The connection and publish code is the lab's (redis-py, ssl=True, the access key as
password, 30 s timeouts, PING to verify); only what a benchmark cannot use is left
out: clear_screen(), the menu and input(). Settings come from the environment:
REDIS_HOST, REDIS_KEY, and for a local server REDIS_PORT (the lab's 10000 by default)
and REDIS_CACERT (the CA that signed the local server's certificate).
Run with Debian's /usr/bin/python3 and python3-redis.
"""
import json
import os
import sys
from datetime import datetime

import redis


def connect_to_redis() -> redis.Redis:
    try:
        redis_host = os.getenv("REDIS_HOST")
        redis_key = os.getenv("REDIS_KEY")
        r = redis.Redis(
            host=redis_host,
            port=int(os.getenv("REDIS_PORT", "10000")),
            ssl=True,
            ssl_ca_certs=os.getenv("REDIS_CACERT") or None,
            decode_responses=True,
            password=redis_key,
            socket_timeout=30,
            socket_connect_timeout=30,
        )
        r.ping()
        return r
    except redis.ConnectionError as e:
        print(f"[x] Connection error: {e}")
        print("Check if Redis host and port are correct, and ensure network connectivity")
        sys.exit(1)
    except redis.AuthenticationError as e:
        print(f"[x] Authentication error: {e}")
        print("Make sure the access key is correct")
        sys.exit(1)
    except Exception as e:
        print(f"[x] Unexpected error: {e}")
        sys.exit(1)


def publish_order_created(r: redis.Redis) -> None:
    print("=" * 60)
    print("Publishing: Order Created Event")
    print("=" * 60)
    order_data = {
        "event": "order_created",
        "order_id": f"ORD-{datetime.now().strftime('%Y%m%d%H%M%S')}",
        "customer": "Jane Doe",
        "total": 129.99,
        "timestamp": datetime.now().isoformat(),
    }
    message = json.dumps(order_data)
    channel = "orders:created"
    subscribers = r.publish(channel, message)
    print(f"\n[>] Published to channel: '{channel}'")
    print(f"[#] Active subscribers: {subscribers}")
    print("\n[i] Message content:")
    print(json.dumps(order_data, indent=2))


if __name__ == "__main__":
    publish_order_created(connect_to_redis())
