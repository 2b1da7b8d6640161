# macOS app bundle for the coffer executable: Coffer.app with the Info.plist of
# resources/macos/Info.plist.in, which declares the .coffer type (UTI
# org.coffer.container, owned by Coffer) and offers Coffer in Finder's
# "Open With" for every file and folder (packaging/macos-integration.md).
#
#   include(MacBundle)
#   coffer_mac_bundle(coffer)
#
# Does nothing on other platforms, so the call can stay unconditional.
function(coffer_mac_bundle target)
  if(NOT APPLE)
    return()
  endif()
  set(icon "")
  if(EXISTS "${PROJECT_SOURCE_DIR}/resources/macos/coffer.icns")
    set(icon coffer.icns)
    target_sources(${target} PRIVATE "${PROJECT_SOURCE_DIR}/resources/macos/coffer.icns")
    set_source_files_properties("${PROJECT_SOURCE_DIR}/resources/macos/coffer.icns" PROPERTIES
      MACOSX_PACKAGE_LOCATION Resources)
  endif()
  set_target_properties(${target} PROPERTIES
    MACOSX_BUNDLE TRUE
    OUTPUT_NAME Coffer
    MACOSX_BUNDLE_INFO_PLIST "${PROJECT_SOURCE_DIR}/resources/macos/Info.plist.in"
    MACOSX_BUNDLE_GUI_IDENTIFIER org.coffer.Coffer
    MACOSX_BUNDLE_BUNDLE_NAME Coffer
    MACOSX_BUNDLE_BUNDLE_VERSION "${PROJECT_VERSION}"
    MACOSX_BUNDLE_SHORT_VERSION_STRING "${PROJECT_VERSION}"
    MACOSX_BUNDLE_ICON_FILE "${icon}")
endfunction()
