"""Distribution: the e-mail outbox, its SMTP transport and the job that sends it."""
