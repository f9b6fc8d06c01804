"""站内通知 and the pluggable e-mail sender (file/console by default)."""
