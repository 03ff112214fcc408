#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| medwallet_fuzz::device_join(data));
