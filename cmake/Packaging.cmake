# Release packaging (included at the end of the top-level CMakeLists.txt). See packaging/README.md.
#
#   Linux:   cpack -G DEB                      -> coffer_VERSION_amd64.deb (Depends from dpkg-shlibdeps)
#            cmake --build BUILD --target bundle -> BUILD/bundle/coffer-VERSION-linux-x86_64{/,.tar.gz}
#   Windows: cpack -G ZIP                      -> coffer-VERSION-windows-x86_64.zip (portable: has the marker)
#   macOS:   cpack -G DragNDrop                -> coffer-VERSION-macos.dmg (Coffer.app)
#
# The coffer executable's own install rule is in main/CMakeLists.txt (RUNTIME DESTINATION bin).
# Everything here is guarded so that a configure without packaging tools still works.

include(GNUInstallDirs)

set(COFFER_PACKAGING_DIR "${PROJECT_SOURCE_DIR}/packaging")
set(COFFER_RESOURCES_DIR "${PROJECT_SOURCE_DIR}/resources")
set(COFFER_PACKAGE_GEN_DIR "${PROJECT_BINARY_DIR}/packaging")
file(MAKE_DIRECTORY "${COFFER_PACKAGE_GEN_DIR}")

set(CPACK_PACKAGE_NAME "coffer")
set(CPACK_PACKAGE_VENDOR "The Coffer authors")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "encrypt files and folders for the people you choose")
# Wrapped at 72 columns: it becomes the Debian package's extended description as it is.
string(CONCAT CPACK_PACKAGE_DESCRIPTION
  "Coffer puts files and folders into one encrypted, compressed container\n"
  "that only the people you choose can open. No server, no account: every\n"
  "key is made, kept and used on your own machine.\n"
  "\n"
  "Containers are encrypted with AES-256-GCM to X25519 keys (Coffer cards,\n"
  "and age recipients) and optionally a passphrase (Argon2id), and\n"
  "compressed with zstd. One program is both a desktop app (Qt) and a\n"
  "command line tool.")
set(CPACK_PACKAGE_CONTACT "Coffer maintainers <maintainers@coffer.invalid>") # placeholder
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_STRIP_FILES ON)

# Where windeployqt / macdeployqt live: Qt's bin folder.
set(_coffer_qt_bin_hints "")
if(QT6_INSTALL_PREFIX AND QT6_INSTALL_BINS)
  list(APPEND _coffer_qt_bin_hints "${QT6_INSTALL_PREFIX}/${QT6_INSTALL_BINS}")
endif()
if(TARGET Qt6::qmake)
  get_target_property(_coffer_qmake Qt6::qmake IMPORTED_LOCATION)
  if(_coffer_qmake)
    get_filename_component(_coffer_qt_bin "${_coffer_qmake}" DIRECTORY)
    list(APPEND _coffer_qt_bin_hints "${_coffer_qt_bin}")
  endif()
endif()

# ---------------------------------------------------------------------------------------------
# Linux: desktop integration, man page, Debian package, portable bundle
if(UNIX AND NOT APPLE)
  set(CPACK_GENERATOR "DEB")
  set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")

  # The man page, with the project version, compressed (Debian policy 12.1).
  file(READ "${COFFER_PACKAGING_DIR}/coffer.1" _coffer_man)
  string(REGEX REPLACE "\"Coffer [0-9.]+\"" "\"Coffer ${PROJECT_VERSION}\"" _coffer_man "${_coffer_man}")
  file(WRITE "${COFFER_PACKAGE_GEN_DIR}/coffer.1" "${_coffer_man}")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${COFFER_PACKAGING_DIR}/coffer.1")
  find_program(COFFER_GZIP gzip)
  if(COFFER_GZIP)
    execute_process(COMMAND "${COFFER_GZIP}" -9nf "${COFFER_PACKAGE_GEN_DIR}/coffer.1")
    install(FILES "${COFFER_PACKAGE_GEN_DIR}/coffer.1.gz" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
  else()
    install(FILES "${COFFER_PACKAGE_GEN_DIR}/coffer.1" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
  endif()

  # The desktop entry, MIME type and icons. The templates in resources/linux are shared with
  # "coffer integrate" (app/Integration.cpp), which fills the @...@ fields at run time; here they
  # point at the installed coffer in PATH, and the marker says the package owns the file (so
  # "coffer integrate uninstall" never treats it as its own).
  set(MARKER "Installed by the coffer package.")
  set(EXEC_DESKTOP "coffer")
  set(EXEC_PATH_DESKTOP "coffer")
  if(EXISTS "${COFFER_RESOURCES_DIR}/linux/coffer.desktop")
    configure_file("${COFFER_RESOURCES_DIR}/linux/coffer.desktop" "${COFFER_PACKAGE_GEN_DIR}/coffer.desktop" @ONLY)
    install(FILES "${COFFER_PACKAGE_GEN_DIR}/coffer.desktop" DESTINATION "${CMAKE_INSTALL_DATADIR}/applications")
  endif()
  if(EXISTS "${COFFER_RESOURCES_DIR}/linux/coffer-mime.xml")
    configure_file("${COFFER_RESOURCES_DIR}/linux/coffer-mime.xml" "${COFFER_PACKAGE_GEN_DIR}/coffer.xml" @ONLY)
    install(FILES "${COFFER_PACKAGE_GEN_DIR}/coffer.xml" DESTINATION "${CMAKE_INSTALL_DATADIR}/mime/packages")
  endif()
  if(EXISTS "${COFFER_RESOURCES_DIR}/linux/icons/coffer.svg")
    install(FILES "${COFFER_RESOURCES_DIR}/linux/icons/coffer.svg"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps")
  endif()
  if(EXISTS "${COFFER_RESOURCES_DIR}/linux/icons/application-x-coffer.svg")
    install(FILES "${COFFER_RESOURCES_DIR}/linux/icons/application-x-coffer.svg"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/mimetypes")
  endif()
  # Shell completion, where bash-completion, Debian's zsh and fish look for a package's own
  # (the same scripts "coffer integrate install" puts in the user's folders).
  foreach(_coffer_completion "coffer.bash:bash-completion/completions:coffer"
                             "_coffer:zsh/vendor-completions:_coffer"
                             "coffer.fish:fish/vendor_completions.d:coffer.fish")
    string(REPLACE ":" ";" _coffer_parts "${_coffer_completion}")
    list(GET _coffer_parts 0 _coffer_source)
    list(GET _coffer_parts 1 _coffer_dir)
    list(GET _coffer_parts 2 _coffer_name)
    configure_file("${COFFER_RESOURCES_DIR}/completion/${_coffer_source}"
                   "${COFFER_PACKAGE_GEN_DIR}/completion/${_coffer_name}" @ONLY)
    install(FILES "${COFFER_PACKAGE_GEN_DIR}/completion/${_coffer_name}"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/${_coffer_dir}")
  endforeach()
  # PNG sizes, if the resources provide them (icons/hicolor/SIZExSIZE/{apps,mimetypes}/*.png).
  if(IS_DIRECTORY "${COFFER_RESOURCES_DIR}/linux/icons/hicolor")
    install(DIRECTORY "${COFFER_RESOURCES_DIR}/linux/icons/hicolor/" DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor"
            FILES_MATCHING PATTERN "*.png" PATTERN "*.svg")
  endif()

  # Debian: copyright and changelog in /usr/share/doc/coffer (Debian policy 12.5 and 12.7).
  string(TIMESTAMP COFFER_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC) # honours SOURCE_DATE_EPOCH
  configure_file("${COFFER_PACKAGING_DIR}/debian/changelog.in" "${COFFER_PACKAGE_GEN_DIR}/changelog" @ONLY)
  if(COFFER_GZIP)
    execute_process(COMMAND "${COFFER_GZIP}" -9nf "${COFFER_PACKAGE_GEN_DIR}/changelog")
    set(_coffer_changelog "${COFFER_PACKAGE_GEN_DIR}/changelog.gz")
  else()
    set(_coffer_changelog "${COFFER_PACKAGE_GEN_DIR}/changelog")
  endif()
  install(FILES "${COFFER_PACKAGING_DIR}/debian/copyright" "${_coffer_changelog}"
          DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/coffer")

  set(CPACK_DEBIAN_PACKAGE_NAME "coffer")
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # coffer_VERSION_ARCH.deb
  set(CPACK_DEBIAN_PACKAGE_SECTION "utils")
  set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
  set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
  # dpkg-shlibdeps finds the linked libraries (Qt, Botan, zstd, qrencode, ...). Qt's SVG image and
  # icon plugins are loaded at run time (the icons are SVG), so their package is named here.
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6svg6")
  # fuse3: fusermount3 for coffer mount; libsecret-1-0: qtkeychain loads it at run
  # time to reach the Secret Service ("Remember the keyring passphrase").
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-wayland, fuse3, libsecret-1-0")
  set(CPACK_DEBIAN_PACKAGE_SUGGESTS "age")
  set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

  # Portable bundle: one command (needs patchelf). See packaging/make-bundle.sh.
  add_custom_target(bundle
    COMMAND ${CMAKE_COMMAND} -E env "COFFER_EXE=$<TARGET_FILE:coffer>"
            "${COFFER_PACKAGING_DIR}/make-bundle.sh" "${PROJECT_BINARY_DIR}" "${PROJECT_BINARY_DIR}/bundle"
    DEPENDS coffer
    USES_TERMINAL
    COMMENT "Portable bundle: ${PROJECT_BINARY_DIR}/bundle/coffer-${PROJECT_VERSION}-linux-x86_64.tar.gz")
endif()

# ---------------------------------------------------------------------------------------------
# Windows: a portable ZIP. bin/ holds coffer.exe, the `portable` marker, Qt (windeployqt) and
# every other DLL coffer.exe needs (Botan, zstd, qrencode, the compiler runtime).
if(WIN32)
  enable_language(RC) # coffer.rc below (MSVC and MinGW enable it with CXX already; harmless)
  set(CPACK_GENERATOR "ZIP")
  set(CPACK_PACKAGE_FILE_NAME "coffer-${PROJECT_VERSION}-windows-x86_64")
  set(CPACK_INCLUDE_TOPLEVEL_DIRECTORY ON)

  find_program(COFFER_WINDEPLOYQT windeployqt HINTS ${_coffer_qt_bin_hints})
  if(NOT COFFER_WINDEPLOYQT)
    message(WARNING "windeployqt not found: the ZIP will lack Qt's DLLs and plugins")
  endif()

  file(WRITE "${COFFER_PACKAGE_GEN_DIR}/portable"
       "This file turns on Coffer's portable mode: the keyring and settings live in the data folder here.\r\n")
  install(FILES "${COFFER_PACKAGE_GEN_DIR}/portable" "${COFFER_PACKAGING_DIR}/windows/README.txt" DESTINATION bin)
  install(FILES "${PROJECT_SOURCE_DIR}/LICENSE" DESTINATION . RENAME LICENSE.txt)

  # Version information (Explorer's Properties > Details) and, once resources/windows/coffer.ico
  # exists, the icon that Explorer shows and that the registry's DefaultIcon "coffer.exe,0" uses.
  set(COFFER_RC_ICON "")
  if(EXISTS "${COFFER_RESOURCES_DIR}/windows/coffer.ico")
    set(COFFER_RC_ICON "1 ICON \"${COFFER_RESOURCES_DIR}/windows/coffer.ico\"")
  endif()
  set(COFFER_RC_VERSION "${PROJECT_VERSION_MAJOR},${PROJECT_VERSION_MINOR},${PROJECT_VERSION_PATCH},0")
  configure_file("${COFFER_PACKAGING_DIR}/windows/coffer.rc.in" "${COFFER_PACKAGE_GEN_DIR}/coffer.rc" @ONLY)
  target_sources(coffer PRIVATE "${COFFER_PACKAGE_GEN_DIR}/coffer.rc")

  # At install time: windeployqt (Qt DLLs, qwindows, styles, qsvg, translations, compiler
  # runtime), then every other DLL coffer.exe needs (Botan, zstd, qrencode from vcpkg or MSYS2),
  # found in the prefix path's bin folders.
  set(COFFER_DLL_DIRS "")
  foreach(_p IN LISTS CMAKE_PREFIX_PATH _coffer_qt_bin_hints)
    if(_p IN_LIST _coffer_qt_bin_hints)
      string(APPEND COFFER_DLL_DIRS " \"${_p}\"")
    else()
      string(APPEND COFFER_DLL_DIRS " \"${_p}/bin\"")
    endif()
  endforeach()
  configure_file("${COFFER_PACKAGING_DIR}/windows/deploy.cmake.in" "${COFFER_PACKAGE_GEN_DIR}/deploy-windows.cmake" @ONLY)
  install(SCRIPT "${COFFER_PACKAGE_GEN_DIR}/deploy-windows.cmake")
endif()

# ---------------------------------------------------------------------------------------------
# macOS: Coffer.app (macdeployqt puts Qt and every dylib inside) on a drag-and-drop DMG. The app
# bundle itself (MACOSX_BUNDLE, OUTPUT_NAME Coffer, Info.plist, icon) is cmake/MacBundle.cmake's
# coffer_mac_bundle(coffer), called from main/CMakeLists.txt, whose install rule also needs
# "BUNDLE DESTINATION ." (packaging/README.md).
if(APPLE)
  set(CPACK_GENERATOR "DragNDrop")
  set(CPACK_PACKAGE_FILE_NAME "coffer-${PROJECT_VERSION}-macos")
  set(CPACK_DMG_VOLUME_NAME "Coffer ${PROJECT_VERSION}")
  set(CPACK_DMG_FORMAT "UDZO")

  get_target_property(_coffer_is_bundle coffer MACOSX_BUNDLE)
  if(NOT _coffer_is_bundle)
    message(WARNING "coffer is not a MACOSX_BUNDLE: main/CMakeLists.txt must call coffer_mac_bundle(coffer) "
                    "(cmake/MacBundle.cmake) and add \"BUNDLE DESTINATION .\" to its install rule "
                    "(packaging/README.md); the DMG needs Coffer.app")
  endif()

  # At install time: macdeployqt copies Qt and every other dylib (Botan, zstd, qrencode from
  # Homebrew) into Coffer.app and rewrites their install names.
  find_program(COFFER_MACDEPLOYQT macdeployqt HINTS ${_coffer_qt_bin_hints})
  if(COFFER_MACDEPLOYQT)
    configure_file("${COFFER_PACKAGING_DIR}/macos/deploy.cmake.in" "${COFFER_PACKAGE_GEN_DIR}/deploy-macos.cmake" @ONLY)
    install(SCRIPT "${COFFER_PACKAGE_GEN_DIR}/deploy-macos.cmake")
  else()
    message(WARNING "macdeployqt not found: Coffer.app will not be self-contained")
  endif()
endif()

include(CPack)
