"""The remote run, one module per stage, shared by every job kind:
spec -> validate -> resolve -> plan -> provision -> stage -> create -> follow (see `submit`)."""
