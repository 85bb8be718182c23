"""The loud banner printed when dolgo-pay runs in demo mode."""

from adapters.config.settings import AppConfig


def demo_banner(config: AppConfig) -> str:
    lines = [
        "DEMO MODE - NOT FOR REAL MONEY",
        f"database : {config.database_url}",
        f"iamport  : {'in-process sandbox at ' + config.gateway_url if config.sandbox else config.gateway_url}",
        f"tokens   : {'POST /api/demo/token issues any user a token' if config.demo_tokens else 'off'}",
        f"open     : {config.public_base_url}/",
        "set DOLGO_MODE=production (with real settings) for a real deployment",
    ]
    width = max(len(line) for line in lines) + 4
    bar = "#" * (width + 2)
    body = "\n".join(f"#  {line.ljust(width - 2)}#" for line in lines)
    return f"{bar}\n{body}\n{bar}"
