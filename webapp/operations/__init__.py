"""Operations: the only code that changes state. One module per aspect.

Each public operation runs in one transaction (`operation`), writes its audit event, and
defers side effects such as enqueuing jobs until after the commit.
"""
