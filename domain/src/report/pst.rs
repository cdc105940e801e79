//! The public support test (パブリック・サポート・テスト) for certified NPO status.
