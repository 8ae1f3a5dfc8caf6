"""Lead CSV files: reading a file (`parsing`), which column feeds which lead field
(`mapping`) and the dry run's checks (`checking`). Domain code: the import operations and the
import job use it; the `leadimport` pages are its HTTP adapter."""
