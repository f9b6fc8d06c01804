"""Official statistics (官方统计数据): figures as CNIPA, the Tianjin bureau and the press published them, kept
beside the figures the platform computes from records (issue 13.3–13.4)."""
