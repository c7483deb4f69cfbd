import './base.css';
import './children.css';
import './rows.css';
