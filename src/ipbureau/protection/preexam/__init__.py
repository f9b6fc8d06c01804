"""专利预审 (pre-examination): enterprise filing, cases, examiner assignment, decisions, green channel, cycle times."""
