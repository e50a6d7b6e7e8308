# playground_model: the playground's model (no ImGui, no GL) - the one scenario parser, the presets
# and their code, the run's state and the JSON report. Included by the top-level CMakeLists.txt,
# not by src/playground/CMakeLists.txt: the model's tests (tests/unit) link it, so it builds even
# with THREADLAB_PLAYGROUND=OFF (the sanitizer and sim presets).
add_library(playground_model STATIC
  ${CMAKE_CURRENT_LIST_DIR}/code_listing.cpp
  ${CMAKE_CURRENT_LIST_DIR}/example_programs.cpp
  ${CMAKE_CURRENT_LIST_DIR}/preset_catalog.cpp
  ${CMAKE_CURRENT_LIST_DIR}/presets.cpp
  ${CMAKE_CURRENT_LIST_DIR}/report_json.cpp
  ${CMAKE_CURRENT_LIST_DIR}/run_state.cpp
  ${CMAKE_CURRENT_LIST_DIR}/scenario.cpp)
target_include_directories(playground_model PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(playground_model PUBLIC threadlab threadlab_json threadlab_program_texts)
if(EMSCRIPTEN)
  target_compile_options(playground_model PRIVATE -Oz) # as the page's other code (src/playground)
endif()
