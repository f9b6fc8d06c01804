"""站内通知 (notices to a user or an enterprise) and the pluggable e-mail sender (file/console by default)."""
