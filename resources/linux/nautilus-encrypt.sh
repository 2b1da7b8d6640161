#!/bin/sh
# @MARKER@
# Nautilus script "Encrypt with Coffer": Nautilus passes the selection in
# NAUTILUS_SCRIPT_SELECTED_FILE_PATHS, one absolute path per line (local
# files only). Each line becomes one argument, spaces and all.
coffer=@EXEC_SHELL@
set --
while IFS= read -r path; do
    [ -n "$path" ] && set -- "$@" "$path"
done <<EOF_SELECTION
${NAUTILUS_SCRIPT_SELECTED_FILE_PATHS:-}
EOF_SELECTION
exec "$coffer" "$@"
