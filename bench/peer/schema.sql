-- The peer's one table (bench/peer/app.py); bench/complete.py creates it.
CREATE TABLE IF NOT EXISTS peer_payment (
    id BIGINT AUTO_INCREMENT PRIMARY KEY,
    merchant_uid VARCHAR(50) NOT NULL UNIQUE,
    user_id INT NOT NULL,
    name VARCHAR(100) NOT NULL,
    amount INT NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'ready',
    imp_uid VARCHAR(60) NULL,
    paid_at DATETIME NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
) CHARACTER SET utf8mb4;
