"""`python -m sandbox --host 127.0.0.1 --port 5001 [--base-url URL] [--seed-members N]`."""

from __future__ import annotations

import argparse

from . import create_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description="Serve the sandbox LTI platform.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--base-url", help="public base URL (default http://HOST:PORT); it is the issuer")
    parser.add_argument("--seed-members", type=int, default=0, help="extra generated learners")
    parser.add_argument("--no-platform-storage", action="store_true", help="do not send lti_storage_target")
    args = parser.parse_args(argv)
    app = create_app(
        {
            "SANDBOX_BASE_URL": args.base_url or f"http://{args.host}:{args.port}",
            "SANDBOX_SEED_MEMBERS": args.seed_members,
            "SANDBOX_PLATFORM_STORAGE": not args.no_platform_storage,
        }
    )
    app.run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    main()
